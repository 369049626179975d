package dev.agentkernel.helpers;

import java.util.AbstractList;

/**
 * The values of two futures, typed ({@link #first()}, {@link #second()}) and also a two-element list, so
 * {@code awaitAll(a, b)} works both as {@code var both = awaitAll(a, b); both.first()} and as a
 * {@code List} like the varargs form.
 */
public final class Pair<A, B> extends AbstractList<Object> {
    private final A first;
    private final B second;

    public Pair(A first, B second) {
        this.first = first;
        this.second = second;
    }

    public A first() { return first; }

    public B second() { return second; }

    @Override
    public Object get(int index) {
        return switch (index) {
            case 0 -> first;
            case 1 -> second;
            default -> throw new IndexOutOfBoundsException("a Pair has indexes 0 and 1, not " + index);
        };
    }

    @Override
    public int size() { return 2; }
}
