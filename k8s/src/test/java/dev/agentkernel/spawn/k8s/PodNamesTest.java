package dev.agentkernel.spawn.k8s;

import org.junit.jupiter.api.Test;

import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class PodNamesTest {
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    static final String ID = "3f2b9c4e-1111-2222-3333-444455556666";

    @Test
    void nameAndIdPrefixLowerCasedAndDnsSafe() {
        assertEquals("agent-research-bot-3f2b9c4e", PodNames.forAgent("Research_Bot", ID));
        assertEquals("agent-a-b-3f2b9c4e", PodNames.forAgent("a..b", ID));
        assertEquals("agent-x-3f2b9c4e", PodNames.forAgent("x-", ID));
    }

    @Test
    void longNamesAreCutToADnsLabel() {
        String name = PodNames.forAgent("a".repeat(40) + "-" + "b".repeat(22), ID);
        assertTrue(name.length() <= 63, name);
        assertTrue(DNS_LABEL.matcher(name).matches(), name);
        assertTrue(name.endsWith("-3f2b9c4e"), name);
    }

    @Test
    void sameNameDifferentAgentsDoNotCollide() {
        assertNotEquals(PodNames.forAgent("w", ID), PodNames.forAgent("w", "9" + ID.substring(1)));
    }

    @Test
    void configMapAndSecretDeriveFromThePod() {
        assertEquals("agent-w-1-config", PodNames.configMap("agent-w-1"));
        assertEquals("agent-w-1-secret", PodNames.secret("agent-w-1"));
    }

    @Test
    void teamLabelValuesAreTrimmedToValidLabels() {
        assertEquals("team", Labels.labelValue("team-"));
        assertEquals("", Labels.labelValue(""));
        assertEquals("a.b_c", Labels.labelValue("a.b_c"));
    }
}
