package io.robustcl.pipeline.launch;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.robustcl.pipeline.Progress;
import io.robustcl.pipeline.exec.StageEvents;
import java.io.PrintStream;

/**
 * The lines a child stage prints on its standard output so that the parent's progress board
 * keeps working: {@code @robustcl {"t":"progress",...}}, {@code {"t":"log",...}} and, before a
 * failing child exits, {@code {"t":"error",...}} with the one-line reason. Any other line is
 * the child's own output and is shown as a log line of the stage.
 *
 * <p>The same lines reach the parent through a pipe (process launcher) or through the job's log
 * file on the shared filesystem (Slurm), so a lost line costs only a progress update: the
 * outcome travels in the {@link JobResult} file.
 */
public final class JobProtocol {

  static final String PREFIX = "@robustcl ";

  private JobProtocol() {}

  /** Child side: events written as protocol lines to {@code out} (flushed per line). */
  public static StageEvents writer(PrintStream out) {
    return new StageEvents() {
      @Override
      public void progress(String stageName, Progress p) {
        JsonObject o = new JsonObject();
        o.addProperty("t", "progress");
        o.addProperty("phase", p.phase());
        o.addProperty("epoch", p.epoch());
        o.addProperty("epochs", p.epochs());
        o.addProperty("step", p.step());
        o.addProperty("steps", p.steps());
        o.addProperty("loss", Double.toString(p.loss()));
        o.addProperty("ips", Double.toString(p.itemsPerSecond()));
        emit(o);
      }

      @Override
      public void log(String stageName, String message) {
        JsonObject o = new JsonObject();
        o.addProperty("t", "log");
        o.addProperty("m", message);
        emit(o);
      }

      private void emit(JsonObject o) {
        synchronized (out) {
          out.println(PREFIX + o);
          out.flush();
        }
      }
    };
  }

  /** Child side: the one-line failure reason, printed before exiting non-zero. */
  public static void error(PrintStream out, String message) {
    JsonObject o = new JsonObject();
    o.addProperty("t", "error");
    o.addProperty("m", message);
    synchronized (out) {
      out.println(PREFIX + o);
      out.flush();
    }
  }

  /**
   * Parent side: hands one line of the child's output to {@code events}.
   *
   * @return the failure reason if the line is an error line, else null
   */
  public static @org.jspecify.annotations.Nullable String dispatch(String line, String stageName, StageEvents events) {
    if (!line.startsWith(PREFIX)) {
      if (!line.isBlank()) {
        events.log(stageName, line);
      }
      return null;
    }
    JsonObject o;
    try {
      o = JsonParser.parseString(line.substring(PREFIX.length())).getAsJsonObject();
    } catch (JsonParseException | IllegalStateException e) {
      events.log(stageName, line);
      return null;
    }
    switch (o.get("t").getAsString()) {
      case "progress" -> events.progress(stageName, new Progress(
          o.get("phase").getAsString(), o.get("epoch").getAsInt(), o.get("epochs").getAsInt(),
          o.get("step").getAsLong(), o.get("steps").getAsLong(),
          Double.parseDouble(o.get("loss").getAsString()), Double.parseDouble(o.get("ips").getAsString())));
      case "log" -> events.log(stageName, o.get("m").getAsString());
      case "error" -> {
        return o.get("m").getAsString();
      }
      default -> events.log(stageName, line);
    }
    return null;
  }
}
