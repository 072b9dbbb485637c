package dev.coffer.testkit.reference;

/**
 * The POSIX reference provider broken on purpose: {@link
 * ReferenceProvider.Broken#OPEN_WHILE_RESTORING}.
 */
public final class OpenWhileRestoringProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public OpenWhileRestoringProvider() {}

  @Override
  public String name() {
    return "tck-broken-open-while-restoring";
  }

  @Override
  boolean posix() {
    return true;
  }

  @Override
  Broken broken() {
    return Broken.OPEN_WHILE_RESTORING;
  }
}
