package io.robustcl.pipeline.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
