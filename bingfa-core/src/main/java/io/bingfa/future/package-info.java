/**
 * Futures: {@link io.bingfa.future.TaskFuture} and the helpers in {@link io.bingfa.future.Futures}
 * ({@code as_completed}, {@code wait}, {@code gather}).
 */
package io.bingfa.future;
