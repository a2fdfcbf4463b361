// Storyboard — placeholder until its module lands.
