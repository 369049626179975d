package dev.agentkernel.fakellm;

/**
 * The request body cannot be served; the server answers 400 {@code invalid_request_error}
 * with this message, which says what is wrong and what to send instead.
 */
final class BadRequestException extends Exception {
    BadRequestException(String message) {
        super(message);
    }
}
