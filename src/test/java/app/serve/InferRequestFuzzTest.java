package app.serve;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzz tests of the serving request parsers (issue 17): the Open Inference Protocol body and
 * TorchServe's rows, for a model of 64 inputs. In {@code mvn verify} each replays the inputs committed
 * under {@code src/test/resources/app/serve/InferRequestFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} it fuzzes. Only {@link HttpError} (a status and a message) may escape.
 */
class InferRequestFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void v2(byte[] body) {
        try {
            InferRequest r = InferRequest.v2(body, body.length, 64);
            if (r.x().length < r.rows() * 64) throw new IllegalStateException("fewer floats than rows × inputs");
        } catch (HttpError expected) {
            // a bad request is answered with its status and message
        }
    }

    @FuzzTest(maxDuration = "10m")
    void rows(byte[] body) {
        try {
            InferRequest r = InferRequest.rows(body, body.length, 64);
            if (r.x().length < r.rows() * 64) throw new IllegalStateException("fewer floats than rows × inputs");
        } catch (HttpError expected) {
            // a bad request is answered with its status and message
        }
    }
}
