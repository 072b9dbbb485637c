package dev.coffer.testkit.reference;

/** The reference provider broken on purpose: {@link ReferenceProvider.Broken#VERIFY_ALWAYS_OK}. */
public final class VerifyAlwaysOkProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public VerifyAlwaysOkProvider() {}

  @Override
  public String name() {
    return "tck-broken-verify-always-ok";
  }

  @Override
  Broken broken() {
    return Broken.VERIFY_ALWAYS_OK;
  }
}
