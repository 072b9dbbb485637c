package dev.coffer.testkit.reference;

/**
 * The subtly broken provider with POSIX_ATTRIBUTES, for the variants that break a rule only a
 * provider recording owners, special files and followed links keeps (P29 to P31).
 */
public final class SubtlyBrokenPosixProvider extends SubtlyBrokenProvider {

  /** Creates the provider; does no I/O. */
  public SubtlyBrokenPosixProvider() {}

  @Override
  public String name() {
    return "tck-subtly-broken-posix";
  }

  @Override
  boolean posix() {
    return true;
  }
}
