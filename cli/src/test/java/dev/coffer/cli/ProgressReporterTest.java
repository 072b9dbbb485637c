package dev.coffer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.coffer.Progress;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
  private long now;
  private final StringWriter sink = new StringWriter();

  private ProgressReporter reporter(ProgressReporter.Mode mode) {
    return new ProgressReporter(mode, new PrintWriter(sink, true), () -> now);
  }

  private static Progress at(long files, long bytes) {
    return new Progress(Progress.Phase.RESTORE, files, 10, bytes, 10L << 20, "f" + files);
  }

  @Test
  void bar_redrawsInPlace_atMostEvery100ms_withThroughputAndEta() {
    ProgressReporter r = reporter(ProgressReporter.Mode.BAR);
    r.onProgress(at(0, 0));
    now += TimeUnit.MILLISECONDS.toNanos(50);
    r.onProgress(at(1, 1 << 20)); // too soon: not drawn
    now += TimeUnit.MILLISECONDS.toNanos(950);
    r.onProgress(at(5, 5L << 20));
    String s = sink.toString();
    assertEquals(2, s.chars().filter(c -> c == '\r').count(), s);
    assertTrue(
        s.contains("restore [######......]  50% 5/10 files, 5.0 MiB/10.0 MiB, 5.0 MiB/s, ETA 0:01"),
        s);
    r.finish();
    assertTrue(sink.toString().endsWith(System.lineSeparator()));
  }

  @Test
  void bar_neverGetsWiderThanTheTerminal_droppingTheBarFirst() {
    ProgressReporter r = reporter(ProgressReporter.Mode.BAR);
    r.onProgress(new Progress(Progress.Phase.BACKUP, 0, 1_000_000, 0, 900L << 30, ""));
    now += TimeUnit.SECONDS.toNanos(1);
    r.onProgress(
        new Progress(Progress.Phase.BACKUP, 123_456, 1_000_000, 100L << 30, 900L << 30, "x"));
    for (String frame : sink.toString().split("\r")) {
      assertTrue(frame.length() < 80, frame);
    }
    assertTrue(
        sink.toString()
            .endsWith("backup 123456/1000000 files, 100.0 GiB/900.0 GiB, 100.0 GiB/s, ETA 0:08"),
        sink.toString());
  }

  @Test
  void lines_appearEveryTwoSeconds_withoutCarriageReturns() {
    ProgressReporter r = reporter(ProgressReporter.Mode.LINES);
    r.onProgress(at(0, 0));
    now += TimeUnit.SECONDS.toNanos(1);
    r.onProgress(at(1, 1 << 20));
    assertEquals("", sink.toString());
    now += TimeUnit.SECONDS.toNanos(1);
    r.onProgress(at(2, 2L << 20));
    r.finish();
    String[] lines = sink.toString().split(System.lineSeparator());
    assertEquals(2, lines.length, sink.toString());
    assertEquals("restore: 2/10 files, 2.0 MiB/10.0 MiB, 1.0 MiB/s, ETA 0:08", lines[0]);
    assertTrue(!sink.toString().contains("\r"));
  }

  @Test
  void none_printsNothing() {
    ProgressReporter r = reporter(ProgressReporter.Mode.NONE);
    r.onProgress(at(1, 1));
    r.finish();
    assertEquals("", sink.toString());
  }
}
