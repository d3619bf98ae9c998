/** Helpers shared by Bingfa's own packages; not part of the API. */
package io.bingfa.internal;
