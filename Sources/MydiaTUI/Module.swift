// MydiaTUI: module placeholder; the sources arrive with their issue.
enum MydiaTUIModule {}
