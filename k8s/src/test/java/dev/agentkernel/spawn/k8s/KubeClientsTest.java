package dev.agentkernel.spawn.k8s;

import dev.agentkernel.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class KubeClientsTest {
    @TempDir
    Path dir;

    @Test
    void missingKubeconfigNamesTheKeyAndTheFix() {
        var e = assertThrows(ConfigException.class, () -> KubeClients.config(dir.resolve("nope")));
        assertTrue(e.getMessage().contains("'kubeconfig'") && e.getMessage().contains("does not exist")
                && e.getMessage().contains("kind get kubeconfig"), e.getMessage());
    }

    @Test
    void directoryIsNotAReadableKubeconfig() {
        var e = assertThrows(ConfigException.class, () -> KubeClients.config(dir));
        assertTrue(e.getMessage().contains("not a readable file"), e.getMessage());
    }

    @Test
    void garbageKubeconfigCannotBeParsed() throws Exception {
        Path f = Files.writeString(dir.resolve("kubeconfig"), "::: not yaml [");
        var e = assertThrows(ConfigException.class, () -> KubeClients.config(f));
        assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("kubeconfig"), e.getMessage());
    }

    @Test
    void kubeconfigWithoutCurrentContextIsRefused() throws Exception {
        Path f = Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n");
        var e = assertThrows(ConfigException.class, () -> KubeClients.config(f));
        assertTrue(e.getMessage().contains("current context"), e.getMessage());
    }

    @Test
    void validKubeconfigGivesItsServerAndNamespace() throws Exception {
        Path f = Files.writeString(dir.resolve("kubeconfig"), """
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "http://127.0.0.1:6443"}}]
                users: [{name: u, user: {token: t}}]
                contexts: [{name: x, context: {cluster: c, user: u, namespace: team-a}}]
                current-context: x
                """);
        var config = KubeClients.config(f);
        assertEquals("http://127.0.0.1:6443/", config.getMasterUrl());
        assertEquals("team-a", config.getNamespace());
    }
}
