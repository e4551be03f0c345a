// MydiaDiscovery: module placeholder; the sources arrive with their issue.
enum MydiaDiscoveryModule {}
