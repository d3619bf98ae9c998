package io.bingfa.cli;

public final class Main {
    private Main() {}
    public static void main(final String[] args) {
        System.out.println("java " + Runtime.version());
    }
}
