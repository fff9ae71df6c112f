package io.robustcl.pipeline.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.robustcl.pipeline.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBoardTest {

  final AtomicLong now = new AtomicLong();
  final StringWriter text = new StringWriter();

  ProgressBoard board(boolean terminal) {
    return new ProgressBoard(new PrintWriter(text), terminal, Duration.ofSeconds(10), now::get);
  }

  @Test
  void plainOutputPrintsAProgressLinePerIntervalWithEpochStepLossThroughputAndEta() {
    ProgressBoard b = board(false);
    b.started("pretrain", "gpu:0", "new");
    now.set(Duration.ofSeconds(30).toNanos());
    b.progress("pretrain", new Progress("train", 2, 4, 50, 100, 1.2345, 812.4));
    b.tick();
    b.tick(); // nothing new and within the interval: no second line
    String out = text.toString();
    assertTrue(out.contains("running  pretrain  on gpu:0  (new)"), out);
    // 1.5 of 4 epochs done in 30 s: 37.5%, 50 s to go
    assertTrue(out.contains("> pretrain  gpu:0  train epoch 2/4 step 50/100 loss 1.2345 812 img/s  38% ETA 50.0s  [30.0s]"), out);
    assertEquals(1, out.split("> pretrain", -1).length - 1);

    now.set(Duration.ofSeconds(45).toNanos());
    b.done("pretrain", "0123456789abcdef");
    assertTrue(text.toString().contains("done     pretrain  45.0s  (0123456789ab)"), text.toString());
  }

  @Test
  void terminalOutputRedrawsTheLiveLinesInPlace() {
    ProgressBoard b = board(true);
    b.started("a", "cpu", "new");
    b.progress("a", new Progress("sleep", 0, 0, 1, 2, Double.NaN, Double.NaN));
    b.tick();
    b.cached("b", "ffffffffffffffff");
    String out = text.toString();
    assertTrue(out.contains("\033[1A\r\033[J"), "erases the one live line before printing: " + out);
    assertTrue(out.lastIndexOf("> a  cpu  sleep step 1/2") > out.indexOf("cached   b"), out);
  }

  @Test
  void clockFormatsSecondsMinutesAndHours() {
    assertEquals("4.2s", ProgressBoard.clock(4.2));
    assertEquals("3:07", ProgressBoard.clock(187));
    assertEquals("1:02:03", ProgressBoard.clock(3723));
  }

  @Test
  void theOverallLineCountsStagesAndAddsRunningEtasToLastBuildTimes() {
    ProgressBoard b = board(false);
    b.plan(java.util.List.of("data", "train", "eval", "table"), () -> java.util.Map.of("eval", 30.0, "table", 5.0), 1);
    b.cached("data", "0123456789abcdef");
    b.started("train", "cpu", "new");
    now.set(Duration.ofSeconds(20).toNanos());
    b.progress("train", new Progress("train", 1, 2, 50, 100, 1.0, 10)); // 25% in 20 s: 60 s to go
    assertEquals("  == 1/4 stages finished, 1 running, 2 waiting  ETA 1:35", b.overallLine(now.get()));
    b.tick();
    assertTrue(text.toString().contains("  == 1/4 stages finished"), "printed with the plain progress lines: " + text);
  }

  @Test
  void aStageThatStartedAndEndedCachedIsNoLongerRunning() {
    ProgressBoard b = board(false);
    b.plan(java.util.List.of("data", "copy", "train"), java.util.Map::of, 2);
    b.started("data", "cpu", "new");
    b.started("copy", "cpu", "new");
    b.done("data", "0123456789abcdef");
    b.cached("copy", "0123456789abcdef"); // same key: committed by data while copy waited for its lock
    b.started("train", "cpu", "new");
    assertEquals("  == 2/3 stages finished, 1 running, 0 waiting  ETA 0.0s + 1 stage without an estimate",
        b.overallLine(now.get()));
    now.set(Duration.ofSeconds(30).toNanos());
    b.tick();
    assertFalse(text.toString().contains("> copy"), text.toString());
  }

  @Test
  void stagesNeverBuiltBeforeAreCountedAsWithoutAnEstimate() {
    ProgressBoard b = board(false);
    b.plan(java.util.List.of("a", "b", "c"), java.util.Map::of, 2);
    b.started("a", "cpu", "new");
    assertEquals("  == 0/3 stages finished, 1 running, 2 waiting  ETA 0.0s + 3 stages without an estimate",
        b.overallLine(now.get()));
  }

  @Test
  void eachStageGetsExactlyOneFinalLineOnATerminalScreen() {
    ProgressBoard b = new ProgressBoard(new PrintWriter(text), true, Duration.ofSeconds(10), now::get, 40);
    b.plan(java.util.List.of("data", "rocl-table2-with-a-name-longer-than-the-terminal"), java.util.Map::of, 2);
    b.started("data", "cpu", "new");
    b.started("rocl-table2-with-a-name-longer-than-the-terminal", "cpu", "new");
    b.progress("data", new Progress("load", 0, 0, 1, 2, Double.NaN, Double.NaN));
    b.tick();
    b.done("data", "0123456789abcdef");
    b.tick();
    b.done("rocl-table2-with-a-name-longer-than-the-terminal", "fedcba9876543210");
    b.done("rocl-table2-with-a-name-longer-than-the-terminal", "fedcba9876543210"); // reported twice
    b.note("2 stages: 0 cached, 2 done");
    b.close();
    java.util.List<String> screen = Screen.render(text.toString(), 40);
    assertEquals(1, screen.stream().filter(l -> l.startsWith("  done     data")).count(), String.join("\n", screen));
    assertEquals(1, screen.stream().filter(l -> l.startsWith("  done     rocl-table2")).count(), String.join("\n", screen));
    assertTrue(screen.stream().noneMatch(l -> l.contains("> ") || l.contains("==")),
        "no live line is left on the screen:\n" + String.join("\n", screen));
  }

  /** A tiny terminal: prints with wrapping at a width, and knows the board's two escapes. */
  static final class Screen {
    static java.util.List<String> render(String output, int width) {
      java.util.List<StringBuilder> rows = new java.util.ArrayList<>();
      rows.add(new StringBuilder());
      int row = 0;
      for (int i = 0; i < output.length(); i++) {
        char c = output.charAt(i);
        if (c == '\033') {
          int end = i + 2;
          while (!Character.isLetter(output.charAt(end))) {
            end++;
          }
          String arg = output.substring(i + 2, end);
          if (output.charAt(end) == 'A') {
            row = Math.max(0, row - Integer.parseInt(arg));
          } else if (output.charAt(end) == 'J') {
            rows.get(row).setLength(0);
            while (rows.size() > row + 1) {
              rows.remove(rows.size() - 1);
            }
          }
          i = end;
        } else if (c == '\r') {
          rows.get(row).setLength(0); // the board only writes \r before clearing the row
        } else if (c == '\n') {
          row++;
          if (rows.size() <= row) {
            rows.add(new StringBuilder());
          }
        } else {
          if (rows.get(row).length() == width) {
            row++;
            if (rows.size() <= row) {
              rows.add(new StringBuilder());
            }
          }
          rows.get(row).append(c);
        }
      }
      return rows.stream().map(StringBuilder::toString).filter(r -> !r.isEmpty()).toList();
    }
  }
}
