package dev.agentkernel.fakellm;

/** An HTTP error the fake LLM answers instead of a message; each provider renders its own body. */
record ApiError(int status, String message) {}
