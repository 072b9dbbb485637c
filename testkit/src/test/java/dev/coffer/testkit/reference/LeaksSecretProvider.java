package dev.coffer.testkit.reference;

/** The reference provider broken on purpose: {@link ReferenceProvider.Broken#LEAKS_SECRET}. */
public final class LeaksSecretProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public LeaksSecretProvider() {}

  @Override
  public String name() {
    return "tck-broken-leaks-secret";
  }

  @Override
  Broken broken() {
    return Broken.LEAKS_SECRET;
  }
}
