/** Filled by its issue. */
package dev.coffer.examples.derby;
