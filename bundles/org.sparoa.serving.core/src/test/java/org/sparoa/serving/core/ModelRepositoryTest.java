package org.sparoa.serving.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparoa.api.InvalidInputException;
import org.sparoa.api.UnknownModelException;
import org.sparoa.engine.LocalPlatform;

/**
 * The repository over the real model registry, without loading a model (both endpoints' tests load and unload the
 * real classifier through it): the index of the folder, and each refusal before the file system or the registry.
 */
class ModelRepositoryTest {
    private final LocalPlatform platform = LocalPlatform.of();

    @TempDir
    Path folder;

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void theIndexListsTheFolderModelsByNameAndSkipsOtherFiles() throws Exception {
        Files.writeString(folder.resolve("b-model.onnx"), "x");
        Files.writeString(folder.resolve("a.model.onnx"), "x");
        Files.writeString(folder.resolve("notes.txt"), "x");
        Files.writeString(folder.resolve("-dash.onnx"), "x");
        ModelRepository r = new ModelRepository(platform.models(), folder, "org.example.endpoint");
        assertEquals(List.of(new RepositoryEntry("a.model", "1", RepositoryEntry.UNAVAILABLE, "not loaded"),
                new RepositoryEntry("b-model", "1", RepositoryEntry.UNAVAILABLE, "not loaded")), r.index(false));
        assertEquals(List.of(), r.index(true), "nothing is loaded");
    }

    @Test
    void refusalsNameWhatIsWrong() {
        ModelRepository r = new ModelRepository(platform.models(), folder, "org.example.endpoint");
        String bad = assertThrows(InvalidInputException.class, () -> r.load("..")).getMessage();
        assertTrue(bad.contains("'..' is not a model name"), bad);
        assertThrows(InvalidInputException.class, () -> r.unload("a/b"));
        String absent = assertThrows(UnknownModelException.class, () -> r.load("absent")).getMessage();
        assertTrue(absent.contains("model absent is not in the repository: absent.onnx does not exist in "), absent);
        String notLoaded = assertThrows(UnknownModelException.class, () -> r.unload("absent")).getMessage();
        assertEquals("model absent is not loaded", notLoaded);
        ModelRepository none = new ModelRepository(platform.models(), null, "org.example.endpoint");
        String noFolder = assertThrows(InvalidInputException.class, () -> none.load("absent")).getMessage();
        assertTrue(noFolder.contains("no model repository folder is configured (org.example.endpoint "
                + "modelRepository)"), noFolder);
        assertEquals(List.of(), none.index(false));
    }
}
