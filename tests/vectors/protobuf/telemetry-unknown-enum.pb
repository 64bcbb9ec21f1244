
xH