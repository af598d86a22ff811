package app.serve;

/** A request the server refuses: the HTTP status and the message of the JSON {@code {"error": ...}} body. */
public final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    final int status;

    public HttpError(int status, String message) {
        super(message, null, false, false); // no stack trace: a bad request is not a bug of the server
        this.status = status;
    }

    public int status() { return status; }
}
