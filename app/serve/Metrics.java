package app.serve;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The server's Prometheus metrics (text format 0.0.4): requests by endpoint and status code, a
 * latency histogram, and per model the batch-size histogram, the queue depth and the rows inferred.
 * Counting a request allocates nothing.
 */
final class Metrics {
    enum Endpoint { PING, HEALTH, METADATA, INFER, PREDICTIONS, METRICS, PAGE, OTHER }

    static final int[] CODES = {200, 400, 404, 405, 408, 413, 415, 431, 500, 503};
    private final LongAdder[][] requests = new LongAdder[Endpoint.values().length][CODES.length + 1];
    final Histogram latency = new Histogram(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5);

    Metrics() {
        for (LongAdder[] row : requests) for (int i = 0; i < row.length; i++) row[i] = new LongAdder();
    }

    void record(Endpoint e, int status, long nanos) {
        int i = 0;
        while (i < CODES.length && CODES[i] != status) i++;
        requests[e.ordinal()][i].increment();
        latency.observe(nanos * 1e-9);
    }

    long requests(Endpoint e, int status) {
        for (int i = 0; i < CODES.length; i++) if (CODES[i] == status) return requests[e.ordinal()][i].sum();
        return requests[e.ordinal()][CODES.length].sum();
    }

    String text(List<ServedModel> models) {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("# HELP nabla_requests_total HTTP requests answered, by endpoint and status code.\n");
        sb.append("# TYPE nabla_requests_total counter\n");
        for (Endpoint e : Endpoint.values()) {
            for (int i = 0; i <= CODES.length; i++) {
                long n = requests[e.ordinal()][i].sum();
                if (n == 0) continue;
                sb.append("nabla_requests_total{endpoint=\"").append(e.name().toLowerCase(java.util.Locale.ROOT))
                        .append("\",code=\"").append(i < CODES.length ? Integer.toString(CODES[i]) : "other").append("\"} ").append(n).append('\n');
            }
        }
        sb.append("# HELP nabla_request_duration_seconds Time from a request's head being read to its answer being written, all endpoints.\n");
        sb.append("# TYPE nabla_request_duration_seconds histogram\n");
        latency.write(sb, "nabla_request_duration_seconds", "");
        sb.append("# HELP nabla_batch_rows Rows per forward pass of the micro-batcher.\n");
        sb.append("# TYPE nabla_batch_rows histogram\n");
        for (ServedModel m : models) m.batcher().batchRows.write(sb, "nabla_batch_rows", "model=\"" + m.name() + "\",");
        sb.append("# HELP nabla_queue_depth Requests waiting for the micro-batcher.\n");
        sb.append("# TYPE nabla_queue_depth gauge\n");
        for (ServedModel m : models) sb.append("nabla_queue_depth{model=\"").append(m.name()).append("\"} ").append(m.batcher().depth()).append('\n');
        sb.append("# HELP nabla_rows_inferred_total Input rows run through the model.\n");
        sb.append("# TYPE nabla_rows_inferred_total counter\n");
        for (ServedModel m : models) {
            sb.append("nabla_rows_inferred_total{model=\"").append(m.name()).append("\"} ").append(m.batcher().rowsInferred.sum()).append('\n');
        }
        return sb.toString();
    }
}
