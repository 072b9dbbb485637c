package dev.coffer.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The attribute views of a {@link FaultyFileSystem} path: they refuse owner changes when its plan
 * says so and report every permission or owner change to the plan's watcher (rule P28).
 */
final class WatchedViews {

  private WatchedViews() {}

  /** An owner view that refuses owner changes on demand and reports them to the watcher. */
  static class OwnerView implements FileOwnerAttributeView {
    final FaultyFileSystem fs;
    final Path path;
    private final FileOwnerAttributeView view;

    OwnerView(FaultyFileSystem fs, Path path, FileOwnerAttributeView view) {
      this.fs = fs;
      this.path = path;
      this.view = view;
    }

    @Override
    public String name() {
      return view.name();
    }

    @Override
    public UserPrincipal getOwner() throws IOException {
      fs.plan.checkAlive(path);
      return view.getOwner();
    }

    @Override
    public void setOwner(UserPrincipal owner) throws IOException {
      fs.plan.checkAlive(path);
      fs.plan.checkOwnerChange(path);
      view.setOwner(owner);
      fs.plan.changed(path);
    }
  }

  /** A POSIX view that refuses owner changes on demand and reports every change to the watcher. */
  static final class PosixView extends OwnerView implements PosixFileAttributeView {
    private final PosixFileAttributeView view;

    PosixView(FaultyFileSystem fs, Path path, PosixFileAttributeView view) {
      super(fs, path, view);
      this.view = view;
    }

    @Override
    public PosixFileAttributes readAttributes() throws IOException {
      fs.plan.checkAlive(path);
      return view.readAttributes();
    }

    @Override
    public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
        throws IOException {
      fs.plan.checkAlive(path);
      view.setTimes(lastModifiedTime, lastAccessTime, createTime);
    }

    @Override
    public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
      fs.plan.checkAlive(path);
      view.setPermissions(perms);
      fs.plan.changed(path);
    }

    @Override
    public void setGroup(GroupPrincipal group) throws IOException {
      fs.plan.checkAlive(path);
      fs.plan.checkOwnerChange(path);
      view.setGroup(group);
      fs.plan.changed(path);
    }
  }
}
