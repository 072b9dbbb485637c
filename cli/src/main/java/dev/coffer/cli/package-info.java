/**
 * The {@code coffer} command-line tool: a thin shell over the public Coffer API ({@link
 * dev.coffer}), run through {@link dev.coffer.cli.CofferCli#main}. Everything but the entry point
 * is package-private.
 */
package dev.coffer.cli;
