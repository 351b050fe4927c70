enum _PlaceholderNadiReports {}
