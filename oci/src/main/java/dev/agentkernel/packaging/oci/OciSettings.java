package dev.agentkernel.packaging.oci;

import dev.agentkernel.ConfigException;
import dev.agentkernel.config.KernelConfig;

import java.nio.file.Path;

/**
 * What an OCI build needs: where to push ({@code registryUrl}, e.g. {@code 127.0.0.1:5000} or
 * {@code registry.example.com/team}), what to build on ({@code baseImage}: a registry reference or
 * {@code tar:/path/image.tar}), and how to authenticate. Credentials come from {@code username}/{@code password}
 * when both are set, else from the Docker config ({@code dockerConfig}, default {@code ~/.docker/config.json}).
 * {@code insecureRegistry} allows plain HTTP / self-signed TLS for a registry that is not on loopback; a loopback
 * registry is always allowed, because traffic to it never leaves the machine.
 */
public record OciSettings(
        String registryUrl,
        String baseImage,
        boolean insecureRegistry,
        String username,
        String password,
        Path dockerConfig,
        Path cacheDir) {

    /**
     * Fallbacks for the kernel config's {@code registry_username}, {@code registry_password} and
     * {@code insecure_registry}: a CI job can pass credentials without writing them into a file.
     */
    public static final String ENV_USERNAME = "AGENTKERNEL_REGISTRY_USERNAME";
    public static final String ENV_PASSWORD = "AGENTKERNEL_REGISTRY_PASSWORD";
    public static final String ENV_INSECURE = "AGENTKERNEL_INSECURE_REGISTRY";

    public OciSettings {
        registryUrl = blankToNull(registryUrl);
        baseImage = blankToNull(baseImage);
        if (registryUrl == null) {
            throw new ConfigException("OCI packaging needs 'registry_url' in the kernel config, e.g. registry_url: 127.0.0.1:5000");
        }
        if (baseImage == null) {
            throw new ConfigException("OCI packaging needs 'base_image' in the kernel config, e.g. base_image: "
                    + "127.0.0.1:5000/agentkernel/runner:0.1.0 (built by scripts/build_base_image.sh)");
        }
        registryUrl = stripScheme(registryUrl);
        if ((username == null) != (password == null)) {
            throw new ConfigException("registry credentials need both a username and a password; set both or neither"
                    + " (registry_username and registry_password in the kernel config)");
        }
    }

    /** Settings from the kernel config; the environment (ENV_*) only fills what the config leaves out. */
    public static OciSettings fromConfig(KernelConfig config, Path stateDir) {
        return fromConfig(config, stateDir, System.getenv());
    }

    /**
     * {@code insecure_registry: true} or {@code AGENTKERNEL_INSECURE_REGISTRY=true} relaxes TLS. Credentials are
     * taken as a pair: the config's when it names a username or password, else the environment's, so a half pair
     * in the config is reported instead of being completed from somewhere else.
     */
    static OciSettings fromConfig(KernelConfig config, Path stateDir, java.util.Map<String, String> env) {
        boolean insecure = config.insecureRegistry() || "true".equalsIgnoreCase(env.get(ENV_INSECURE));
        boolean fromFile = blankToNull(config.registryUsername()) != null || blankToNull(config.registryPassword()) != null;
        String user = fromFile ? blankToNull(config.registryUsername()) : blankToNull(env.get(ENV_USERNAME));
        String pass = fromFile ? blankToNull(config.registryPassword()) : blankToNull(env.get(ENV_PASSWORD));
        return new OciSettings(config.registryUrl(), config.baseImage(), insecure, user, pass, null, stateDir.resolve("oci-cache"));
    }

    public OciSettings withBaseImage(String image) {
        return new OciSettings(registryUrl, image, insecureRegistry, username, password, dockerConfig, cacheDir);
    }

    public OciSettings withCredentials(String user, String pass) {
        return new OciSettings(registryUrl, baseImage, insecureRegistry, user, pass, dockerConfig, cacheDir);
    }

    public OciSettings withDockerConfig(Path config) {
        return new OciSettings(registryUrl, baseImage, insecureRegistry, username, password, config, cacheDir);
    }

    @Override
    public String toString() {
        // never print the password
        return "OciSettings[registryUrl=" + registryUrl + ", baseImage=" + baseImage + ", insecureRegistry=" + insecureRegistry
                + ", username=" + username + ", dockerConfig=" + dockerConfig + ", cacheDir=" + cacheDir + "]";
    }

    private static String stripScheme(String url) {
        String u = url.replaceFirst("^[a-zA-Z][a-zA-Z0-9+.-]*://", "");
        while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
        return u;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
