package app.cli;

import sun.misc.Signal;

/**
 * SIGTERM and SIGINT as a call instead of the JVM's exit: a shutdown hook cannot choose the exit
 * code (a JVM ended by SIGTERM exits 143), so {@code nabla serve} handles the signals itself, stops
 * gracefully on a thread of its own, and returns 0 from main.
 */
final class Signals {
    private Signals() {}

    static void onTerminate(Runnable stop) {
        Runnable once = new Runnable() {
            private boolean ran;

            @Override
            public synchronized void run() {
                if (ran) return;
                ran = true;
                new Thread(stop, "nabla-stop").start();
            }
        };
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                Signal.handle(new Signal(name), s -> once.run());
            } catch (IllegalArgumentException e) {
                // the signal is not available here (or -Xrs): the JVM's default applies
            }
        }
    }
}
