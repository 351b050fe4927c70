enum _PlaceholderNadiServer {}
