package dev.agentkernel.blob;

import dev.agentkernel.InvalidRequestException;

import java.util.regex.Pattern;

/** {@code blob://sha256:<64 hex>}: the name of a stored archive is the digest of its bytes. */
public record BlobUri(String sha256Hex) {
    public static final String PREFIX = "blob://sha256:";
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    public BlobUri {
        if (sha256Hex == null || !HEX.matcher(sha256Hex).matches()) {
            throw new InvalidRequestException("not a sha256 digest: " + sha256Hex);
        }
    }

    public static BlobUri parse(String uri) {
        if (uri == null || !uri.startsWith(PREFIX) || !HEX.matcher(uri.substring(PREFIX.length())).matches()) {
            throw new InvalidRequestException("not a blob URI: '" + uri + "'; expected " + PREFIX
                    + "<64 lower-case hex digits> as returned by blobStore().uploadDir(path)");
        }
        return new BlobUri(uri.substring(PREFIX.length()));
    }

    @Override
    public String toString() { return PREFIX + sha256Hex; }
}
