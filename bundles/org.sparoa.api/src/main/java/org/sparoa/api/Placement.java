package org.sparoa.api;

import java.util.Map;

/** A scheduling decision: the backend id of every operator, keyed by operator (node) name. */
public record Placement(Map<String, String> backendByNode) {

    public Placement {
        backendByNode = Map.copyOf(backendByNode);
    }

    public String backendOf(String nodeName) {
        return backendByNode.get(nodeName);
    }
}
