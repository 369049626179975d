package dev.agentkernel;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Builds agent images from bundles. */
public interface Packaging {
    CompletableFuture<PackageJob> createAgentImage(String name, List<SourceBundle> bundles);
}
