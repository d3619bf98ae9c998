package io.bingfa.cli.tour;

/**
 * One line of the tour's table: the experiment, Bingfa's number measured now, the seed's Python number
 * quoted from the article; and, where both are comparable seconds, the two values for the chart.
 *
 * @param chartLabel   short label for the bar chart, or null to leave the row out of it
 * @param bingfaSeconds Bingfa's seconds for the chart (null when not charted)
 * @param seedSeconds  the seed's seconds for the chart (null when not charted)
 */
record TourRow(String experiment, String bingfa, String seed, String chartLabel, Double bingfaSeconds,
               Double seedSeconds) {

    static TourRow text(final String experiment, final String bingfa, final String seed) {
        return new TourRow(experiment, bingfa, seed, null, null, null);
    }

    static TourRow charted(final String experiment, final String bingfa, final String seed, final String chartLabel,
                           final double bingfaSeconds, final double seedSeconds) {
        return new TourRow(experiment, bingfa, seed, chartLabel, bingfaSeconds, seedSeconds);
    }
}
