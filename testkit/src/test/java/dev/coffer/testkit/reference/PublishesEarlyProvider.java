package dev.coffer.testkit.reference;

/** The reference provider broken on purpose: {@link ReferenceProvider.Broken#PUBLISHES_EARLY}. */
public final class PublishesEarlyProvider extends ReferenceProvider {

  /** Creates the provider; does no I/O. */
  public PublishesEarlyProvider() {}

  @Override
  public String name() {
    return "tck-broken-publishes-early";
  }

  @Override
  Broken broken() {
    return Broken.PUBLISHES_EARLY;
  }
}
