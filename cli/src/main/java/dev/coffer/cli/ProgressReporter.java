package dev.coffer.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.coffer.Progress;
import dev.coffer.ProgressListener;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Shows a {@link Progress} stream on stderr: a bar redrawn with {@code \r} on a terminal, a plain
 * line every two seconds otherwise, JSON lines with {@code --json}, nothing with {@code --quiet}.
 */
final class ProgressReporter implements ProgressListener {

  enum Mode {
    NONE,
    BAR,
    LINES,
    JSON
  }

  private static final long BAR_INTERVAL = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long LINE_INTERVAL = TimeUnit.SECONDS.toNanos(2);
  private static final long JSON_INTERVAL = TimeUnit.SECONDS.toNanos(1);
  private static final int BAR_WIDTH = 12;

  /**
   * Terminal width assumed for the bar (a line longer than the terminal would break the redraw).
   */
  private static final int COLUMNS = 80;

  private final Mode mode;
  private final PrintWriter err;
  private final LongSupplier nanoTime;
  private long start;
  private long lastShown;
  private boolean shownAny;
  private int lastWidth;
  private Progress last;

  ProgressReporter(Mode mode, PrintWriter err, LongSupplier nanoTime) {
    this.mode = mode;
    this.err = err;
    this.nanoTime = nanoTime;
  }

  /** The reporter the command line asks for. */
  static ProgressReporter forCli(CofferCli cli) {
    Mode mode =
        cli.quiet ? Mode.NONE : cli.json ? Mode.JSON : cli.env.terminal() ? Mode.BAR : Mode.LINES;
    return new ProgressReporter(mode, cli.err, System::nanoTime);
  }

  @Override
  public void onProgress(Progress p) {
    long now = nanoTime.getAsLong();
    if (last == null) {
      start = now;
      lastShown = now;
    }
    last = p;
    switch (mode) {
      case BAR -> {
        if (now - lastShown >= BAR_INTERVAL || !shownAny) {
          draw(now);
        }
      }
      case LINES -> {
        if (now - lastShown >= LINE_INTERVAL) {
          line(now);
        }
      }
      case JSON -> {
        if (now - lastShown >= JSON_INTERVAL || !shownAny) {
          json(now, false);
        }
      }
      default -> {}
    }
  }

  /** Shows the final state and ends the bar's line. */
  void finish() {
    if (last == null) {
      return;
    }
    long now = nanoTime.getAsLong();
    switch (mode) {
      case BAR -> {
        draw(now);
        err.println();
      }
      case LINES -> {
        if (shownAny) {
          line(now);
        }
      }
      case JSON -> json(now, true);
      default -> {}
    }
    err.flush();
  }

  private void draw(long now) {
    StringBuilder sb = new StringBuilder();
    sb.append(phase(last)).append(' ');
    double f = last.fractionDone();
    if (f >= 0) {
      int filled = (int) Math.round(f * BAR_WIDTH);
      sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ");
      sb.append(String.format(Locale.ROOT, "%3d%% ", Math.round(f * 100)));
    }
    String s = sb + summary(now);
    if (s.length() >= COLUMNS) {
      s = phase(last) + ' ' + summary(now); // drop the bar before anything else
    }
    if (s.length() >= COLUMNS) {
      s = s.substring(0, COLUMNS - 1);
    }
    int pad = Math.max(0, lastWidth - s.length());
    err.print("\r" + s + " ".repeat(pad));
    err.flush();
    lastWidth = s.length();
    lastShown = now;
    shownAny = true;
  }

  private void line(long now) {
    err.println(phase(last) + ": " + summary(now));
    err.flush();
    lastShown = now;
    shownAny = true;
  }

  private String summary(long now) {
    StringBuilder sb = new StringBuilder();
    sb.append(last.filesDone());
    if (last.filesTotal() >= 0) {
      sb.append('/').append(last.filesTotal());
    }
    sb.append(" files, ").append(Formats.bytes(last.bytesDone()));
    if (last.bytesTotal() >= 0) {
      sb.append('/').append(Formats.bytes(last.bytesTotal()));
    }
    double seconds = (now - start) / 1e9;
    double rate = seconds > 0 ? last.bytesDone() / seconds : 0;
    if (rate > 0) {
      sb.append(", ").append(Formats.bytes((long) rate)).append("/s");
      if (last.bytesTotal() > last.bytesDone()) {
        sb.append(", ETA ")
            .append(Formats.clock((long) Math.ceil((last.bytesTotal() - last.bytesDone()) / rate)));
      }
    }
    return sb.toString();
  }

  private void json(long now, boolean done) {
    ObjectNode n = Json.object();
    n.put("event", "progress");
    n.put("phase", last.phase().name());
    n.put("filesDone", last.filesDone());
    n.put("filesTotal", last.filesTotal());
    n.put("bytesDone", last.bytesDone());
    n.put("bytesTotal", last.bytesTotal());
    n.put("currentPath", last.currentPath());
    n.put("elapsedMillis", TimeUnit.NANOSECONDS.toMillis(now - start));
    n.put("done", done);
    err.println(Json.write(n));
    err.flush();
    lastShown = now;
    shownAny = true;
  }

  private static String phase(Progress p) {
    return p.phase().name().toLowerCase(Locale.ROOT);
  }
}
