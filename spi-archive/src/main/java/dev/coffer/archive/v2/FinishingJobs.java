package dev.coffer.archive.v2;

import dev.coffer.spi.support.SourceEntry;
import dev.coffer.spi.support.SourceTree;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The source's jobs, then, once they are all taken, the jobs of the files the finisher returns
 * (rule P33: called once, after every source file was read, before anything is published).
 */
final class FinishingJobs implements Iterator<BlockStream.Job> {
  private final V2ArchiveWriter.Hooks hooks;
  private final List<SourceTree> added;
  private final List<V2ArchiveWriter.Planned> plan;
  private final Map<Path, SourceEntry> entryOf;
  private Iterator<BlockStream.Job> current;
  private boolean finished;

  FinishingJobs(
      List<BlockStream.Job> jobs,
      V2ArchiveWriter.Hooks hooks,
      List<SourceTree> added,
      List<V2ArchiveWriter.Planned> plan,
      Map<Path, SourceEntry> entryOf) {
    this.current = jobs.iterator();
    this.hooks = hooks;
    this.added = added;
    this.plan = plan;
    this.entryOf = entryOf;
  }

  @Override
  public boolean hasNext() {
    if (current.hasNext() || finished) {
      return current.hasNext();
    }
    finished = true;
    List<BlockStream.Job> more = new ArrayList<>();
    try {
      SourceTree tree = hooks.finish();
      if (tree != null) {
        added.add(tree);
        for (SourceEntry e : tree.files()) {
          Path file = V2ArchiveWriter.resolve(tree.root(), e.path());
          BlockStream.Job job = new BlockStream.Job(file, List.of());
          more.add(job);
          entryOf.put(file, e);
          plan.add(new V2ArchiveWriter.Planned(e, FileStats.read(file), job, null));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    current = more.iterator();
    return current.hasNext();
  }

  @Override
  public BlockStream.Job next() {
    if (!hasNext()) {
      throw new java.util.NoSuchElementException();
    }
    return current.next();
  }
}
