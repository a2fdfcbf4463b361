// Specs — placeholder until its module lands.
