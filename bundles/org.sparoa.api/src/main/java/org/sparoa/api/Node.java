package org.sparoa.api;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One operator of a graph. {@code inputs} and {@code outputs} are tensor names in ONNX order; an omitted
 * optional input is the empty string. {@code domain} is empty for the default ONNX domain.
 */
public record Node(String name, String opType, String domain, List<String> inputs, List<String> outputs,
                   Map<String, Attribute> attributes) {

    public Node {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opType, "opType");
        domain = domain == null ? "" : domain;
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        attributes = Map.copyOf(attributes);
    }

    public boolean hasAttribute(String attr) {
        return attributes.containsKey(attr);
    }

    public long attrLong(String attr, long defaultValue) {
        Attribute a = attributes.get(attr);
        return a == null ? defaultValue : a.asLong();
    }

    public float attrFloat(String attr, float defaultValue) {
        Attribute a = attributes.get(attr);
        return a == null ? defaultValue : a.asFloat();
    }

    public String attrString(String attr, String defaultValue) {
        Attribute a = attributes.get(attr);
        return a == null ? defaultValue : a.asString();
    }

    /** The INTS attribute, or {@code defaultValue} (may be null) when absent. */
    public long[] attrLongs(String attr, long[] defaultValue) {
        Attribute a = attributes.get(attr);
        return a == null ? defaultValue : a.asLongs();
    }

    public float[] attrFloats(String attr, float[] defaultValue) {
        Attribute a = attributes.get(attr);
        return a == null ? defaultValue : a.asFloats();
    }

    /** The i-th input name, or the empty string when the input is absent. */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    @Override
    public String toString() {
        return opType + "(" + name + ")";
    }
}
