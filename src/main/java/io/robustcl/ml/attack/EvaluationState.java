package io.robustcl.ml.attack;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The resumable state of a chunked robustness evaluation, one small JSON file per (run, chunk)
 * in a directory (the stage's work directory), like AutoAttack's {@code state_path}: the
 * per-sample robust flags and how many of the run's attacks are done. Files are written to a
 * temporary name and renamed, so a kill leaves either the old or the new record.
 */
public final class EvaluationState {

    /**
     * @param run the run's name (attack and threat), checked on load
     * @param chunk chunk index
     * @param completed attacks of the run's ensemble done on this chunk
     * @param robust per-sample flags of the chunk after those attacks, as '1' / '0'
     * @param robustAfter robust points of the chunk after each completed attack
     */
    public record ChunkRecord(String run, int chunk, int completed, String robust, int[] robustAfter) {

        public static ChunkRecord of(String run, int chunk, boolean[] flags, int[] robustAfter) {
            StringBuilder text = new StringBuilder(flags.length);
            for (boolean flag : flags) {
                text.append(flag ? '1' : '0');
            }
            return new ChunkRecord(run, chunk, robustAfter.length, text.toString(), robustAfter.clone());
        }

        public boolean[] flags() {
            boolean[] out = new boolean[robust.length()];
            for (int i = 0; i < out.length; i++) {
                out[i] = robust.charAt(i) == '1';
            }
            return out;
        }
    }

    private final Path directory;
    private final Gson gson = new Gson();

    /** @param directory where the records live; created on first save */
    public EvaluationState(Path directory) {
        this.directory = directory;
    }

    private Path file(int run, int chunk) {
        return directory.resolve("run-" + run + "-chunk-" + chunk + ".json");
    }

    /** The saved record of run number {@code run} and {@code chunk}, if one was saved for the same run name. */
    public Optional<ChunkRecord> load(int run, String runName, int chunk, int size) {
        Path file = file(run, chunk);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            ChunkRecord record = gson.fromJson(Files.readString(file, StandardCharsets.UTF_8), ChunkRecord.class);
            if (record == null || !runName.equals(record.run()) || record.chunk() != chunk || record.robust() == null
                    || record.robust().length() != size || record.robustAfter() == null
                    || record.robustAfter().length != record.completed()) {
                return Optional.empty();
            }
            return Optional.of(record);
        } catch (IOException | JsonParseException e) {
            // a damaged record is redone, not trusted
            return Optional.empty();
        }
    }

    public void save(int run, ChunkRecord record) {
        try {
            Files.createDirectories(directory);
            Path target = file(run, record.chunk());
            Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
            Files.writeString(temporary, gson.toJson(record), StandardCharsets.UTF_8);
            Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("evaluation state: cannot write " + directory + ": " + e.getMessage(), e);
        }
    }
}
