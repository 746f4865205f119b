package org.sparoa.predictor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonParseException;

/**
 * The data set as JSON lines, one {@link DatasetRecord} per line. A model's lines are appended in one write and
 * forced to disk once all its levels are measured, so a build that stops leaves whole models only: the next run
 * skips them (resume). A last line cut short by a crash is ignored.
 */
public final class DatasetFile {
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().create();

    private DatasetFile() {
    }

    public static List<DatasetRecord> read(Path file) {
        List<DatasetRecord> out = new ArrayList<>();
        try (BufferedReader r = reader(file)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(GSON.fromJson(line, DatasetRecord.class));
                } catch (JsonParseException e) {
                    if (r.readLine() == null) {
                        break; // a last line cut short by a crash: its model is measured again
                    }
                    throw new IllegalArgumentException(file + " line " + n + " is not a data set record: "
                            + e.getMessage(), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data set " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    /** A gzip-compressed file ({@code .gz}) is read as well (the committed data set is). */
    private static BufferedReader reader(Path file) throws IOException {
        if (file.getFileName().toString().endsWith(".gz")) {
            return new BufferedReader(new java.io.InputStreamReader(
                    new java.util.zip.GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8));
        }
        return Files.newBufferedReader(file, StandardCharsets.UTF_8);
    }

    /** Models whose lines the file holds (complete, since a model is written in one piece). */
    public static Set<String> models(Path file) {
        Set<String> done = new LinkedHashSet<>();
        if (Files.exists(file)) {
            read(file).forEach(r -> done.add(r.model()));
        }
        return done;
    }

    public static void append(Path file, List<DatasetRecord> records) {
        StringBuilder sb = new StringBuilder();
        records.forEach(r -> sb.append(GSON.toJson(r)).append('\n'));
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (dir != null) {
                Files.createDirectories(dir);
            }
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to data set " + file + ": " + e.getMessage(), e);
        }
    }

    static String toJson(Object o) {
        return GSON.toJson(o);
    }
}
