/** Servers in three models (thread, virtual thread, selector loop), a load generator and the crawler. */
package io.bingfa.net;
