package org.sparoa.serving.core;

/**
 * One model of the repository index.
 *
 * @param state {@link #READY} (loaded) or {@link #UNAVAILABLE} (a file of the repository folder, not loaded)
 * @param reason why it is not ready ("" when it is)
 */
public record RepositoryEntry(String name, String version, String state, String reason) {
    public static final String READY = "READY";
    public static final String UNAVAILABLE = "UNAVAILABLE";

    public boolean ready() {
        return READY.equals(state);
    }
}
