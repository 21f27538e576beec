"""One module per section of the figures (chat, clinic, support centre, referrals): each builds
its figures from the counts the engine has read."""
