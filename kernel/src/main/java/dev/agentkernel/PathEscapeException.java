package dev.agentkernel;

/** A bundle entry would land outside its target directory ({@code ..}, an absolute path, or a symlink pointing out). */
public class PathEscapeException extends InvalidRequestException {
    public PathEscapeException(String message) { super(message); }
}
