package io.robustcl.ml.attack;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the attacking thread's wall time goes, measured while it runs (for {@link AutoAttackBenchmark}):
 * Java Flight Recorder samples the thread every {@code period}, in Java code or in native code (a
 * PyTorch op; on a CPU PyTorch's ops are synchronous, so the caller waits in native for the whole op).
 * A sample inside the network's forward (a frame of {@code io.robustcl.ml.model}) or inside a
 * backward pass ({@code GradientTape.backward}) counts as a network pass; every other sample is the
 * attacks' own work and is charged to the innermost project frame, with whether it was in a native op
 * or in Java. Unlike pricing bare passes after the run, both shares come from the same run under the
 * same load, at the batch sizes the attacks used.
 *
 * @param samples all samples of the thread
 * @param forward samples in a forward pass of the network
 * @param backward samples in a backward pass
 * @param outside samples outside both, by innermost project frame ("[native]" or "[java]" appended)
 */
record PassProfile(long samples, long forward, long backward, Map<String, Long> outside) {

    /** Runs {@code work} on the calling thread under the sampler. */
    static <T> Result<T> of(Callable<T> work, Duration period) throws Exception {
        Path file = Files.createTempFile("autoattack-profile", ".jfr");
        long thread = Thread.currentThread().getId();
        T value;
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ExecutionSample").withPeriod(period);
            recording.enable("jdk.NativeMethodSample").withPeriod(period);
            recording.start();
            value = work.call();
            recording.stop();
            recording.dump(file);
        }
        try {
            return new Result<>(value, read(file, thread));
        } finally {
            Files.deleteIfExists(file);
        }
    }

    record Result<T>(T value, PassProfile profile) {}

    private static PassProfile read(Path file, long thread) throws IOException {
        long samples = 0;
        long forward = 0;
        long backward = 0;
        Map<String, Long> outside = new LinkedHashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            String type = event.getEventType().getName();
            if (!type.equals("jdk.ExecutionSample") && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            if (event.getThread("sampledThread") == null
                    || event.getThread("sampledThread").getJavaThreadId() != thread) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack == null) {
                continue;
            }
            samples++;
            List<RecordedFrame> frames = stack.getFrames();
            if (frames.stream().anyMatch(f -> className(f).startsWith("io.robustcl.ml.model."))) {
                forward++;
            } else if (frames.stream().anyMatch(f -> className(f).endsWith("GradientTape")
                    && f.getMethod().getName().equals("backward"))) {
                backward++;
            } else {
                String site = frames.stream().filter(f -> className(f).startsWith("io.robustcl."))
                        .findFirst().map(f -> simpleName(className(f)) + "." + f.getMethod().getName() + ":"
                                + f.getLineNumber())
                        .orElse("(no project frame)");
                String where = type.equals("jdk.NativeMethodSample") ? " [native]" : " [java]";
                outside.merge(site + where, 1L, Long::sum);
            }
        }
        Map<String, Long> sorted = outside.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
        return new PassProfile(samples, forward, backward, sorted);
    }

    private static String className(RecordedFrame frame) {
        return frame.getMethod().getType().getName();
    }

    private static String simpleName(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    /** Share of the samples outside forward and backward passes. */
    double outsideFraction() {
        return samples == 0 ? Double.NaN : (double) (samples - forward - backward) / samples;
    }
}
