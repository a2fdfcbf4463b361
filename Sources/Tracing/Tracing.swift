// Tracing — placeholder until its module lands.
