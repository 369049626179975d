package dev.agentkernel.runner.bus.shell;

/** The command is not shell the parser understands (an unterminated quote, an unbalanced parenthesis, …). */
public final class ShellSyntaxException extends RuntimeException {
    public ShellSyntaxException(String message) {
        super(message);
    }
}
