class demo (
  $debug = false,
) {
  package { 'openstack-demo-api': ensure => present }
}
