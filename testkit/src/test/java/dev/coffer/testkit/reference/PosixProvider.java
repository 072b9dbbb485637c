package dev.coffer.testkit.reference;

/**
 * The reference provider with POSIX_ATTRIBUTES as well: correct, so every rule from P27 to P31 is
 * checked in full.
 */
public final class PosixProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public PosixProvider() {}

  @Override
  public String name() {
    return "tck-posix";
  }

  @Override
  boolean posix() {
    return true;
  }
}
