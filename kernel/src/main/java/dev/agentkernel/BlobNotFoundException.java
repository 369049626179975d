package dev.agentkernel;

/** No blob is stored under the URI; upload the directory again with {@code blobStore().uploadDir(...)}. */
public class BlobNotFoundException extends AgentKernelException {
    public BlobNotFoundException(String message) { super(message); }
}
