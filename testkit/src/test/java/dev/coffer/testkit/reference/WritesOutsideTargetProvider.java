package dev.coffer.testkit.reference;

/**
 * The reference provider broken on purpose: {@link ReferenceProvider.Broken#WRITES_OUTSIDE_TARGET}.
 */
public final class WritesOutsideTargetProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public WritesOutsideTargetProvider() {}

  @Override
  public String name() {
    return "tck-broken-writes-outside-target";
  }

  @Override
  Broken broken() {
    return Broken.WRITES_OUTSIDE_TARGET;
  }
}
