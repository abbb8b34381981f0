"""``assurance bench --orders N``: the app at scale, on a throwaway database."""
