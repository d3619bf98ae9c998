package io.bingfa.serve;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's own error answers (a malformed request line, headers too large, an ambiguous URI) as the contract's
 * JSON: {@code {"error": "..."}} with Jetty's status, instead of its HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {

    @Override
    public boolean handle(final Request request, final Response response, final Callback callback) {
        final Object status = request.getAttribute(ERROR_STATUS);
        final int code = status instanceof Integer i ? i : response.getStatus() >= 400 ? response.getStatus() : 500;
        final Object message = request.getAttribute(ERROR_MESSAGE);
        final Reply reply = Reply.error(code, message == null ? "bad request" : message.toString());
        response.setStatus(code);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, reply.contentType());
        response.write(true, ByteBuffer.wrap(reply.body()), callback);
        return true;
    }
}
